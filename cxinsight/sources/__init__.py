"""Readers that turn input files into a Transcript plus episode metadata."""

from cxinsight.sources.discover import (
    AUDIO_EXTENSIONS,
    SUPPORTED_TRANSCRIPTS,
    discover,
    is_audio,
)
from cxinsight.sources.metadata import episode_id_for, read_metadata
from cxinsight.sources.transcripts import read_transcript

__all__ = ["AUDIO_EXTENSIONS", "SUPPORTED_TRANSCRIPTS", "discover", "is_audio", "episode_id_for", "read_metadata", "read_transcript"]
