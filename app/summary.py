"""A plain-text summary of a workspace, for `recordmatch status` and the demo."""

from __future__ import annotations

from app.workspace import records as store
from app.workspace.core import Connection


def workspace_summary(conn: Connection) -> list[str]:
    """Lines describing the sources, their rows and the identities."""
    imports = store.list_imports(conn.conn)
    lines = [f"workspace {conn.path.name}"]
    if not imports:
        return [*lines, "  no files imported yet"]
    for imp in imports:
        lines.append(
            f"  {imp.source:<14} {imp.kind:<12} {imp.file_name}: "
            f"{imp.rows_total:,} rows, {imp.rows_imported:,} imported, "
            f"{imp.rows_rejected:,} rejected "
            f"({imp.imported_at[:16].replace('T', ' ')} by {imp.imported_by})"
        )
    lines.append(
        f"  records: {store.count_records(conn.conn):,}   "
        f"identities: {store.count_identities(conn.conn):,}"
    )
    return lines
