"""The Qt user interface. Views hold no SQL: they ask the data layer through `tasks`."""
