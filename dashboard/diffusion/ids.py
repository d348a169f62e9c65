"""Component ids of the diffusion page, prefixed ``diffusion-`` (tests and callbacks use these)."""

from dashboard.ui.upload import UploadIds

ARTWORK_SELECT = "diffusion-artwork-select"
UPLOAD_IDS = UploadIds("diffusion-upload")
SCHEDULE = "diffusion-schedule"
STEPS = "diffusion-steps"
ZERO_SNR = "diffusion-zero-snr"
STEP_SLIDER = "diffusion-t-slider"
SEED_INPUT = "diffusion-seed-input"
NEW_SEED_BUTTON = "diffusion-new-seed"
PRIOR = "diffusion-prior"
PRIOR_NOTE = "diffusion-prior-note"
NOTICES = "diffusion-notices"

DRAWN_STORE = "diffusion-drawn"
SHARE_CLIPBOARD = "diffusion-share-clipboard"

ORIGINAL_IMAGE = "diffusion-x0-image"
NOISY_IMAGE = "diffusion-xt-image"
DENOISED_IMAGE = "diffusion-denoised-image"
STRUCTURE_FREE_IMAGE = "diffusion-structure-free-image"
COLOUR_DENOISED_IMAGE = "diffusion-colour-denoised-image"
COLOUR_BUTTON = "diffusion-colour-button"
COLOUR_RESULT = "diffusion-colour-result"
COLOUR_FIGURE = "diffusion-colour-figure"

STEP_TEXT = "diffusion-step-text"
EXPLORER_TEXT = "diffusion-explorer-text"
EXPLORER_LINK = "diffusion-explorer-link"
CHANNEL_LINES = {"red": "diffusion-channel-red", "green": "diffusion-channel-green",
                 "blue": "diffusion-channel-blue"}

MARGINAL_GRAPH = "diffusion-marginal-graph"
SCHEDULE_GRAPH = "diffusion-schedule-graph"
INFORMATION_GRAPH = "diffusion-information-graph"
CORRELATION_GRAPH = "diffusion-correlation-graph"

VIEW_TABS = "diffusion-view-tabs"

#: Every dcc.Graph of the page.
GRAPHS = (MARGINAL_GRAPH, SCHEDULE_GRAPH, INFORMATION_GRAPH, CORRELATION_GRAPH)
#: The graph shown by each tab (``DiffusionState.view``), in the tabs' order.
GRAPH_OF_VIEW = {"marginal": MARGINAL_GRAPH, "information": INFORMATION_GRAPH,
                 "schedules": SCHEDULE_GRAPH, "correlation": CORRELATION_GRAPH}
