"""Reporters only format: each turns results into text for one output format."""
