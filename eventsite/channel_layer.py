"""The Redis channel layer, with a receive that outlives a Redis restart.

channels-redis's ``receive`` raises when its connection to Redis breaks, and Channels lets that exception end the
consumer, so every open websocket dropped with each Redis blip (and every page had to reconnect at once, while Redis
was still coming back). Here ``receive`` waits and tries again until Redis answers, so sockets stay open through the
outage. What Redis forgot meanwhile comes back without this layer's help: group memberships are joined again by every
socket's heartbeat (``eventsite.consumers``; ``group_add`` is idempotent), and the version that heartbeat carries
lets each page refetch what it missed. Public API only: a subclass overriding the documented ``receive``.
"""

from __future__ import annotations

import asyncio
import logging

from channels_redis.core import RedisChannelLayer
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

log = logging.getLogger(__name__)

RETRY_FIRST = 0.2
RETRY_MAX = 2.0
LOST = (RedisConnectionError, RedisTimeoutError, ConnectionError, OSError)


class HealingRedisChannelLayer(RedisChannelLayer):
    async def receive(self, channel):
        delay = RETRY_FIRST
        warned = False
        while True:
            try:
                message = await super().receive(channel)
            except LOST:
                if not warned:
                    log.warning("channel layer: Redis unreachable; receive on %s waits for it", channel, exc_info=True)
                    warned = True
                await asyncio.sleep(delay)
                delay = min(delay * 2, RETRY_MAX)
                continue
            if warned:
                log.info("channel layer: Redis reachable again for %s", channel)
            return message
