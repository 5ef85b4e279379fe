"""Secret detectors: provider token formats, credentials in code and config, entropy."""
