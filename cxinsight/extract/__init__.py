"""Tactic extraction: the taxonomy, the embedding classifier, and the chain that joins the steps."""
