"""Drawings of graphs whose Values hold matrices: the course's week-3 network, one node per layer.

The expected labels are written out by hand, as the course writes them, never computed with the functions that
make them.
"""

from autograd import Value
from viz import _graph


def test_nodes_puts_a_parent_shared_by_two_paths_before_every_node_using_it():
    p = Value(1.0, label="p")
    a = p * 2.0
    a.label = "a"
    r = a + p  # p is r's parent, and a's: it must come before a
    assert [v.label for v in _graph.nodes(r)] == ["p", "a", ""]
