"""Drop-ins with the APIs other memory libraries have, backed by engramdb."""
