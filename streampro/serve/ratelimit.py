"""A token bucket shared by the server (which refuses frames over the limit) and the client (which paces
itself to the limit the server announces, so a well-behaved client is never refused)."""

from __future__ import annotations

import time


class TokenBucket:
    """``rate`` tokens per second, at most one second of burst."""

    def __init__(self, rate: float):
        self.rate, self.level, self.at = rate, rate, time.monotonic()

    def _refill(self) -> None:
        now = time.monotonic()
        self.level = min(self.rate, self.level + (now - self.at) * self.rate)
        self.at = now

    def take(self) -> bool:
        """Take a token if one is there (server side: refuse otherwise)."""
        self._refill()
        if self.level < 1:
            return False
        self.level -= 1
        return True

    def wait(self) -> None:
        """Block until a token is there, then take it (client side: back off instead of being refused)."""
        self._refill()
        if self.level < 1:
            time.sleep((1 - self.level) / self.rate)
            self._refill()
        self.level -= 1
