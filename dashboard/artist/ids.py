"""Component ids of the artist page (tests and callbacks use these names)."""

NOTICES = "artist-notices"
#: The note saying the page is drawn from the shipped statistics (no images installed).
SNAPSHOT_NOTE = "artist-snapshot-note"
#: Whether the paintings' images are here (False: the page is drawn from the snapshot).
IMAGES_STORE = "artist-images"
TABS = "artist-tabs"
SPACE = "artist-space"
SHARE_CLIPBOARD = "artist-share-clipboard"
URL_QUERY_STORE = "artist-url-query"
URL_SYNC_SINK = "artist-url-sync-sink"
NAVIGATION_SINK = "artist-navigation-sink"

CORPUS_SUMMARY = "artist-corpus-summary"
CORPUS_PMF_GRAPH = "artist-corpus-pmf-graph"
CORPUS_CDF_GRAPH = "artist-corpus-cdf-graph"
CORPUS_3D_GRAPH = "artist-corpus-3d-graph"
CORPUS_PALETTE = "artist-corpus-palette"

PERIODS_GRAPH = "artist-periods-graph"
PERIOD_PALETTES = "artist-period-palettes"
PERIOD_TABLE = "artist-period-table"

TIMELINE_STAT = "artist-timeline-stat"
TIMELINE_GRAPH = "artist-timeline-graph"
TIMELINE_HELP = "artist-timeline-help"

ARTWORK_SELECT = "artist-artwork-select"
PAINTING_SUMMARY = "artist-painting-summary"
PAINTING_GRAPH = "artist-painting-graph"
PAINTING_PALETTES = "artist-painting-palettes"
TYPICAL_LISTS = "artist-typical-lists"

COLOUR_PICKERS = ("artist-colour-1", "artist-colour-2", "artist-colour-3")
COLOUR_SWITCHES = ("artist-colour-use-1", "artist-colour-use-2", "artist-colour-use-3")
SEARCH_RESULTS = "artist-search-results"

COMPARE_LEFT = "artist-compare-left"
COMPARE_RIGHT = "artist-compare-right"
COMPARE_GRAPH = "artist-compare-graph"
COMPARE_SUMMARY = "artist-compare-summary"
COMPARE_PALETTES = "artist-compare-palettes"
#: What the Collections view draws now (its two collections and their versions).
COMPARE_DRAWN = "artist-compare-drawn"
COMPARE_YEARS_GRAPH = "artist-compare-years-graph"
COMPARE_YEAR_STAT = "artist-compare-year-stat"

#: Pattern-matching id type of the "compare with the artist" buttons on painting cards.
COMPARE_BUTTON = "artist-compare"

#: Per section, a store holding the key of what its outputs show now, so that coming back to
#: a tab whose inputs did not change re-sends and redraws nothing.
DRAWN_STORES = {section: f"artist-drawn-{section}" for section in
                ("corpus", "corpus3d", "periods", "timeline", "painting", "typical", "search")}

#: Every dcc.Graph on the page.
GRAPHS = (CORPUS_PMF_GRAPH, CORPUS_CDF_GRAPH, CORPUS_3D_GRAPH, PERIODS_GRAPH, TIMELINE_GRAPH,
          PAINTING_GRAPH, COMPARE_GRAPH, COMPARE_YEARS_GRAPH)
