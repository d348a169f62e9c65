"""Speed harness: our engine against the naive baselines, timed in the same run.

Like the server's entry points, the harness gives numpy's BLAS one thread before numpy is
imported (:func:`dashboard.config.limit_native_threads`), so it measures what users get.
"""

from dashboard.config import limit_native_threads

limit_native_threads()
