"""Retrieval and answers: hybrid search (BM25 + vectors, fused by RRF) and cited answers."""
