"""How a batch's episodes get prepared: here (serial), in processes, or on Ray actors.

Every executor takes the items to do, a way to build a Processor (or one ready-made),
and a `commit(seq, item, status, value)` callable; none imports the batch driver.
"""
