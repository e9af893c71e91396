"""A stamp that changes whenever something the public pages show changes."""

from __future__ import annotations

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from feedback_portal.extensions import Model


class PublicContentStamp(Model):
    """One row. Rendered public pages are cached under its stamp, and every transaction that
    changes what those pages show writes a new random stamp in the same commit: so a cached
    page is never older than the data it was made from, on any server or process, and the
    caches of two portals sharing one Redis never collide."""

    __tablename__ = "public_content_stamp"

    id: Mapped[int] = mapped_column(primary_key=True)
    stamp: Mapped[str] = mapped_column(String(32))
