"""Classroom exercises: handouts, live role-play in the browser, and the debrief.

- :mod:`sim.classroom.document`: printable documents rendered to HTML and PDF;
- :mod:`sim.classroom.handouts`: public background, private briefings and the
  instructor's guide, built from a scenario and its solution.
"""
