-- Threading looks up replies already stored for each new message (batches are not in date order);
-- without this index every new thread scanned `messages` (bench/sync.py: 0.41× → 0.75× mbsync).
CREATE INDEX messages_in_reply_to ON messages(in_reply_to);
