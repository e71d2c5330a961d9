"""katalog: the UI-free core of the use-case catalogue for new data from almen praksis."""
