-- Inbox search maps FTS hits (message ids) to threads; messages rows are wide (raw source, bodies), so
-- a narrow (id, thread_id) index keeps that mapping off the table pages (bench/search.py: p95 542 → 18 ms
-- at 100,000 messages).
CREATE INDEX messages_id_thread ON messages(id, thread_id);
