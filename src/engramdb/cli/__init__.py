"""The engramdb command line."""
