DROP TABLE track_play_counts;
DROP TABLE play_counts;
DROP TABLE listening_history;
