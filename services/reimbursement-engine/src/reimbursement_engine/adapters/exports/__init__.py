"""Row sources for the engine's CSV/XLSX exports: each pages through its table (keyset, by id) in
its own session, so an export of any size holds one page in memory."""
