"""Storage: the Chroma archive (archive.py), keyword index, episode records, locks, schema, doctor."""
