"""Small, tested changes to Rasa 3.6's behaviour, installed by bot/rasa_server.py.

Each module says which Rasa behaviour it replaces and why:
- processor.py: intent syntax ("/affirm{...}") only from buttons the bot offered;
- remote_action.py: a German answer instead of silence when the action server
  is away, and a bounded wait for one that is restarting;
- fast_load.py: TED loaded for prediction without a training step (the Rasa
  server starts in about half the time, so a crashed one is back sooner);
- app.py: refused requests (too large, unknown path) answered in German JSON;
- ted_cache.py: TED's predictions remembered by the dialogue states it sees;
- remote_action.py also validates action server answers with one compiled
  validator instead of building one per answer;
- tracker_store.py: a failed save is an error for one request, not sys.exit,
  and trackers are not reread when the database holds what the store knows
  (referenced from endpoints.yml, not installed here).
"""

from __future__ import annotations


def install() -> None:
    """Swap in the subclasses where Rasa looks the classes up at run time."""
    import rasa.core.actions.action as action_module
    import rasa.core.actions.forms as forms_module
    import rasa.core.agent as agent_module

    from bot.rasa_ext import app, fast_load, ted_cache
    from bot.rasa_ext.processor import GuardedMessageProcessor
    from bot.rasa_ext.remote_action import ResilientRemoteAction

    agent_module.MessageProcessor = GuardedMessageProcessor
    # action_for_name_or_text and ActionExtractSlots use the module's name;
    # forms.py imported the class itself.
    action_module.RemoteAction = ResilientRemoteAction
    forms_module.RemoteAction = ResilientRemoteAction
    app.install()
    fast_load.install()
    ted_cache.install()
