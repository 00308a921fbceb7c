"""One page of a long list: where it starts, how many pages there are, and the pager's numbers.

History, the penalty ledger and the corrective-action list show a page at a time with the same
pager (``templates/_pager.html``); a page past the last is a Chinese 404 that says how many
pages there are.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypeVar

from .services import NotFound

T = TypeVar("T")


@dataclass(frozen=True)
class Paging:
    """Page ``page`` (from 1) of ``total`` items, ``size`` a page."""

    page: int
    size: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.size))

    @property
    def offset(self) -> int:
        """How many items come before this page."""
        return (self.page - 1) * self.size

    @property
    def first(self) -> int:
        """The position of this page's first item among all (from 1)."""
        return self.offset + 1

    @property
    def last(self) -> int:
        """The position of this page's last item among all."""
        return min(self.total, self.page * self.size)

    def of(self, items: list[T] | tuple[T, ...]) -> list[T]:
        """This page's items of the whole list."""
        return list(items[self.offset : self.offset + self.size])

    def checked(self, none_key: str) -> Paging:
        """This paging, or NotFound (the text ``none_key``) when the page is past the last."""
        if self.page > self.pages:
            raise NotFound.of(none_key, page=self.page, pages=self.pages)
        return self


def page_of(index: int, size: int) -> int:
    """The page (from 1) that shows the item at ``index`` (from 0)."""
    return index // size + 1
