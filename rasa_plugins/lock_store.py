"""Rasa's Redis lock store with atomic ticket updates, for several Rasa servers.

Rasa 3.6's ``RedisLockStore`` issues and returns tickets with a read-modify-write of one Redis
key (GET, change, SET). Two servers taking messages of the same conversation at the same
moment can both read the lock, both add a ticket, and one SET overwrites the other: two turns
then run at once and one turn's events are lost (seen in tests/scale with eight simultaneous
messages). Here each read-modify-write is a Redis transaction (WATCH/MULTI/EXEC, retried on
conflict); everything else is Rasa's own ticket lock.
"""

from __future__ import annotations

import json
from typing import Callable, Optional, TypeVar

import redis
from rasa.core.lock import TicketLock
from rasa.core.lock_store import LOCK_LIFETIME, RedisLockStore
from rasa.utils.endpoints import EndpointConfig

T = TypeVar("T")


class AtomicRedisLockStore(RedisLockStore):
    """``lock_store: type: rasa_plugins.lock_store.AtomicRedisLockStore`` in endpoints.production.yml."""

    def __init__(self, endpoint_config: EndpointConfig):
        kwargs = dict(endpoint_config.kwargs)
        super().__init__(host=endpoint_config.url or "localhost", **kwargs)

    def _atomic(self, conversation_id: str, change: Callable[[Optional[TicketLock]], T]) -> T:
        """Apply ``change`` to the stored lock in one transaction; retry if another server wrote it."""
        key = self.key_prefix + conversation_id
        while True:
            with self.red.pipeline() as pipe:
                try:
                    pipe.watch(key)
                    raw = pipe.get(key)
                    lock = TicketLock.from_dict(json.loads(raw)) if raw else None
                    result, lock = change(lock)
                    pipe.multi()
                    if lock is None:
                        pipe.delete(key)
                    else:
                        pipe.set(key, lock.dumps())
                    pipe.execute()
                    return result
                except redis.WatchError:
                    continue

    def issue_ticket(self, conversation_id: str, lock_lifetime: float = LOCK_LIFETIME) -> int:
        def change(lock):
            lock = lock or self.create_lock(conversation_id)
            return lock.issue_ticket(lock_lifetime), lock

        return self._atomic(conversation_id, change)

    def update_lock(self, conversation_id: str) -> None:
        def change(lock):
            if lock:
                lock.remove_expired_tickets()
            return None, lock

        self._atomic(conversation_id, change)

    def finish_serving(self, conversation_id: str, ticket_number: int) -> None:
        def change(lock):
            if lock:
                lock.remove_ticket_for(ticket_number)
            return None, lock

        self._atomic(conversation_id, change)

    def cleanup(self, conversation_id: str, ticket_number: int) -> None:
        """Return the ticket and drop the lock when nobody waits, in one transaction."""
        def change(lock):
            if lock:
                lock.remove_ticket_for(ticket_number)
                if not lock.is_someone_waiting():
                    lock = None
            return None, lock

        self._atomic(conversation_id, change)
