"""Readers that turn input files into a Transcript plus episode metadata."""

from cxinsight.sources.discover import SUPPORTED_TRANSCRIPTS, discover
from cxinsight.sources.metadata import episode_id_for, read_metadata
from cxinsight.sources.transcripts import read_transcript

__all__ = ["SUPPORTED_TRANSCRIPTS", "discover", "episode_id_for", "read_metadata", "read_transcript"]
