"""The message thread: its model and view, how a message is drawn, its details and Go To."""
