"""The file itself: the start screen, backups, restoring from a backup and Check Database."""
