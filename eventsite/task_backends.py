"""The embedded default's task backend: run each task in a daemon thread of the web process, after commit.

``make run`` needs no worker process: a task enqueued inside a transaction starts once that transaction
commits (and never if it rolls back), like a row the database backend's ``db_worker`` would only see after
commit. Scale mode uses ``django_tasks_db.DatabaseBackend`` and ``manage.py db_worker`` instead
(docs/architecture-tasks.md). ``OPTIONS={"THREAD": False}`` runs the task inline at commit (the test suite).
"""

from __future__ import annotations

import threading
from typing import Any

from django.db import close_old_connections, connections, transaction
from django_tasks.backends.immediate import ImmediateBackend
from django_tasks.base import Task, TaskResult, TaskResultStatus
from django_tasks.utils import get_random_id


class ThreadBackend(ImmediateBackend):
    def __init__(self, alias: str, params: dict) -> None:
        super().__init__(alias, params)
        self.use_thread = bool(self.options.get("THREAD", True))

    def enqueue(self, task: Task, args: Any, kwargs: Any) -> TaskResult:
        self.validate_task(task)
        result = TaskResult(
            task=task, id=get_random_id(), status=TaskResultStatus.READY, enqueued_at=None, started_at=None,
            last_attempted_at=None, finished_at=None, args=args, kwargs=kwargs, backend=self.alias, errors=[],
            worker_ids=[],
        )
        transaction.on_commit(lambda: self._start(result))
        return result

    def _start(self, result: TaskResult) -> None:
        if not self.use_thread:
            self._execute_task(result)
            return
        threading.Thread(target=self._run_in_thread, args=(result,), daemon=True,
                         name=f"task-{result.task.name}-{result.id[:8]}").start()

    def _run_in_thread(self, result: TaskResult) -> None:
        close_old_connections()
        try:
            self._execute_task(result)  # records failures on the result and logs them; never raises
        finally:
            connections.close_all()
