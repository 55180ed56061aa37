"""The topic menu, shown by the clarify and the handoff actions."""

from __future__ import annotations

from typing import Dict, List

from rasa_sdk.executor import CollectingDispatcher

from bot.topics import Topic, load_topics


def topic_buttons(topics: List[Topic]) -> List[Dict[str, str]]:
    return [{"title": topic.label, "payload": f"/{topic.intent}"} for topic in topics]


def show_topic_menu(dispatcher: CollectingDispatcher) -> None:
    """The main menu: what the assistant can help with, as buttons."""
    catalog = load_topics()
    dispatcher.utter_message(text=catalog.prompts["menu"], buttons=topic_buttons(catalog.menu()))


