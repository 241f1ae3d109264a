"""Every query of the console lives in this package; pages and jobs call it, never SQL."""
