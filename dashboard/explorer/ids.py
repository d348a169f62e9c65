"""Component ids of the explorer page (tests and callbacks use these names)."""

from dashboard.ui.upload import UploadIds

ARTWORK_SELECT = "artwork-select"
MEAN_SLIDER = "mean-slider"
VARIANCE_SLIDER = "variance-slider"
SEED_INPUT = "seed-input"
NEW_SEED_BUTTON = "new-seed-button"
UPLOAD = "upload"
UPLOAD_IDS = UploadIds(UPLOAD)
UPLOAD_MESSAGE = UPLOAD_IDS.message
UPLOAD_REFUSED = UPLOAD_IDS.refused
SIGMA_TEXT = "sigma-text"
NOTICES = "url-notices"
ORIGINAL_IMAGE = "original-image"
NOISY_IMAGE = "noisy-image"
IMAGE_CAPTION = "image-caption"
NOISE_CAPTION = "noise-caption"
SELECTION_KEY = "selection-key"
ARTIST_LINK = "artist-link"
SELECTION_STORE = "selection-store"
DRAWN_STORE = "drawn-store"
SELECTION_TEXT = "selection-text"
CLEAR_SELECTION = "clear-selection"
VIEW_TABS = "view-tabs"
NOISE_GRAPH = "noise-graph"
EFFECTIVE_NOISE_GRAPH = "effective-noise-graph"
NOISE_SUMMARY = "noise-summary"
NOISE_MOMENTS = "noise-summary-moments"
NOISE_CLIPPING = "noise-summary-clipping"
PMF_GRAPH = "pmf-graph"
CDF_GRAPH = "cdf-graph"
FIT_SUMMARY = "fit-summary"
FIT_TRIGGER = "fit-trigger"
FIT_HEADER = "fit-summary-header"
FIT_LINES = {"red": "fit-summary-red", "green": "fit-summary-green", "blue": "fit-summary-blue"}
JOINT_GRAPH = "joint-graph"
CONDITIONAL_GRAPH = "conditional-graph"
JOINT_X = "joint-x"
JOINT_Y = "joint-y"
JOINT_IMAGE = "joint-image"
JOINT_BINS = "joint-bins"
JOINT_STATS = "joint-stats"
GIVEN_STORE = "given-store"
COLOUR_3D_GRAPH = "color-3d-graph"
COLOUR_3D_NOISY_GRAPH = "color-3d-noisy-graph"
COLOUR_SPACE = "color-space"
COLOUR_BINS = "color-bins"
PALETTE = "palette"
EXPORT_FORMAT = "export-format"
SHARE_CLIPBOARD = "share-clipboard"
SHARE_TEXT = "share-text"

#: Every dcc.Graph on the page, for the export-format switch.
GRAPHS = (NOISE_GRAPH, EFFECTIVE_NOISE_GRAPH, PMF_GRAPH, CDF_GRAPH,
          JOINT_GRAPH, CONDITIONAL_GRAPH, COLOUR_3D_GRAPH, COLOUR_3D_NOISY_GRAPH)
