"""Checking and keeping evidence files: what the bytes are (``sniffing``), whether a virus scanner
flags them (``scanning``), and the private storages they are kept in
(``storing``; ``s3``, which the settings load only where it is configured).

No models and no actions: ``actions.evidence`` uses these to accept or refuse an upload.
"""

from .scanning import Infected, ScannerUnavailable, scan
from .sniffing import ALLOWED, Sniffed, sniff
from .storing import PublicURLRefused, StorageUnavailable, evidence_storage, storage_problem

__all__ = [
    "ALLOWED",
    "Infected",
    "PublicURLRefused",
    "ScannerUnavailable",
    "Sniffed",
    "StorageUnavailable",
    "evidence_storage",
    "scan",
    "sniff",
    "storage_problem",
]
