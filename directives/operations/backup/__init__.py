"""Backups of the record: ``export_history`` writes it as JSON lines, ``import_history`` restores it.

The file holds every person who acted (id and username), agency, order, directive (with its
involvements and, for an occurrence, its series), event (with its place in the chain, its hash and its
signature), notification, revocation and amendment, and access log entry, and a signed checkpoint of
every chain's head, one JSON object a line, each with a ``type``:

- a ``header`` first (``format``, ``version``, ``exported_at``), an ``end`` last with the count of
  each type, so that a truncated file is refused rather than half restored, and (version 4) the
  ``seal``: the SHA-256 of every byte before the end line, signed with the history key, so that a
  changed byte in any record is refused (versions 2 and 3 have none: read only with
  ``accept_unsealed``, docs/history-proof.md);
- ``user``, ``agency``, ``order``, ``directive``, ``event``, ``notification``, ``change`` (what an
  order revokes or amends), ``evidence`` (an evidence file's record: name, sniffed type, size,
  SHA-256 and storage key, and the seq of the event that chained it; the bytes stay in the evidence
  storage), ``access`` lines and one ``checkpoint`` in between, in any order. Records
  point at each other by natural keys (order number, directive ref, an event's seq in its order) and
  by the ids the hashes cover (people and agencies). A directive line carries its deadline rule as
  JSON (``deadlines.rule_to_json``); a file of version 2, which held it in four columns, is read too.
  Event lines carry the canonical content under the names of ``history.CONTENT_KEYS``, so
  an auditor can check their hashes from the file alone, and their signatures with the public keys.

Exporting also writes a checkpoint (in the database and to the sinks, ``directives/history/proof.py``); on
PostgreSQL it is taken in the file's own snapshot, so it names exactly the file's heads.

A restore goes into an empty database only (users may exist: a user of the file must be there with
the same id and username, or its id and username both be free, and is then created inactive, with
no usable password). Every line is validated, every reference resolved, every chain checked (hashes,
links, time that never goes backwards, signatures by a trusted key that cover every event) and the
checkpoint verified and matched before anything is written; then everything is written in one
transaction, keeping the ids and signatures of the backup, and the whole record is verified again
in the database before it commits. Memberships, reviewers, API tokens and passwords are not part of
the record and are not in the file (their changes are, in the access log).
The package: ``fileformat`` (the record types, their fields, the validated shapes), ``exporting``,
``validating`` (one line), ``reading`` (the whole file: references, chains, the checkpoint) and
``restoring``; callers use the names re-exported here.
"""

from .exporting import export
from .fileformat import FORMAT, TYPES, VERSION, Backup, BackupError, Line
from .reading import read
from .restoring import NotEmpty, describe_counts, existing_records, restore

__all__ = [
    "FORMAT",
    "TYPES",
    "VERSION",
    "Backup",
    "BackupError",
    "Line",
    "NotEmpty",
    "describe_counts",
    "existing_records",
    "export",
    "read",
    "restore",
]
