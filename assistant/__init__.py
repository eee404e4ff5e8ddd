"""crisis-desk: a crisis-response drafting assistant.

The package follows the data flow, one folder per stage:

    knowledge/  ->  triage/  ->  drafting/  ->  guards/  ->  review/  ->  api/, cli/
    (index,         (classify,    (retrieve,     (check every   (lifecycle,    (thin
     search)         monitor)      compose/LLM)   text)          store, audit)  interfaces)

Imports point down only: config/errors/models (core) <- text <- knowledge, triage, guards <-
drafting <- review <- api, cli. The guards sit below drafting and review because both call them:
drafting on generated text, review on every human edit. `runtime.py` wires one process's objects.
"""
