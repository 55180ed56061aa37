"""Helpers shared by the action modules. No Action classes live here, and the
action modules import only from here and from bot/, never from each other."""
