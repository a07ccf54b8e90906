"""The client address of the request being served, for audit events.

Set by `audit.middleware.AuditContextMiddleware`; read only by `audit_record`.
"""

from __future__ import annotations

import contextvars

client_ip: contextvars.ContextVar[str | None] = contextvars.ContextVar("vaf_client_ip", default=None)
