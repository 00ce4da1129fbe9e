"""Live serving: the engine (sessions, frame dropping, batched steps), the WebSocket app, a client."""

from .engine import Engine, ServeSettings, Session

__all__ = ["Engine", "ServeSettings", "Session"]
