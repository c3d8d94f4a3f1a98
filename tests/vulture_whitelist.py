"""Names vulture reports as unused that are used: read it with ``vulture src tests/vulture_whitelist.py``.

Each group says who uses the names. Anything vulture reports that is not here is dead code:
``tests/test_dead_code.py`` fails on it.
"""

# typer commands (registered by decorator) and readers found through the registry
merge_reports_command
cache_prune
cache_clear
inspect
READER

# attributes and hooks that libraries read: urllib's redirect limit, markdown-it's link hooks,
# zipfile's entry fields, fontTools' subsetter options, python-docx's section and core properties,
# ebooklib's book and item hooks, reportlab's document and font hooks and PDF dictionaries,
# pikepdf's PDF dictionaries, uharfbuzz's buffer settings, reportlab's TTFont attributes (typeset.fonts.EngineTTFont)
max_redirections
_.validateLink
_.normalizeLink
_.create_system
_.external_attr
_.compress_type
_.file_size
_._compresslevel
_.layout_features
_.name_IDs
_.name_languages
_.notdef_outline
_.recalc_timestamp
_.hinting
_.drop_tables
_._blob
_.different_first_page_header_footer
_.revision
_.created
_.get_content
_._get_nav
_.FOLDER_NAME
_.spine
_.guide
_.beforeBuild
_.isSatisfied
_.beforeDocument
_.addObjects
_.frozen
_.filters
_._timeStamp
_.YMDhms
_.dhh
_.dmm
_.tzname
_.__Comment__
_.BaseFont
_.FirstChar
_.LastChar
_.Widths
_.ToUnicode
_.FontDescriptor
_.A
_.K
_.Lang
_.Pg
_.IDTree
_.MarkInfo
_.ParentTree
_.ParentTreeNextKey
_.RoleMap
_.StructParents
_.Tabs
_.Title
_.DisplayDocTitle
_.ViewerPreferences
_.cluster_level
_._asciiReadable
_.shapable

# a type named in a string (``cast("CT_SectPr", ...)``), imported only for the type checker
CT_SectPr

# style sheet field read by role name ("mono"); public API that tests and callers read
mono
_.is_pack
_.line_count
pruned
word_spaces
_.hits
_.misses

# briefpub serve: a typer command (registered by its decorator) and sqlite3's row factory (set, read by sqlite3)
serve
_.row_factory
