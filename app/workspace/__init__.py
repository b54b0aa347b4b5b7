"""The workspace file: schema, migrations and all the SQL the product runs."""

from app.workspace.core import Connection, WorkspaceError, open_workspace

__all__ = ["Connection", "WorkspaceError", "open_workspace"]
