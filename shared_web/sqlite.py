"""The SQLite settings both apps apply to every connection (Flask in a connect hook, Django in
its `init_command`), so that the two apps and the benchmark's baseline run on the same database.

- WAL lets readers go on while one worker writes, and `synchronous=NORMAL` is its safe partner:
  a commit survives the app crashing; only a power cut can lose the last commits.
- `busy_timeout`: a worker waits up to 10 s for another one's write instead of failing at once
  with "database is locked".
- `mmap_size`: reads go through memory mapped from the file, not a system call per page; counting
  100,000 rows for the history page drops from about 8 ms to 0.2 ms (the benchmark measures it).
"""

PRAGMAS = (
    "journal_mode=WAL",
    "synchronous=NORMAL",
    "busy_timeout=10000",
    "mmap_size=268435456",
)
