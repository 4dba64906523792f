"""The course's computation graph J = 3(a + bc), forward then backward, drawn to course.svg and course.html.

    python -m demos.computation_graph
"""

from autograd import Value
import viz
from viz.text import table


def main() -> None:
    a, b, c = Value(5.0, label="a"), Value(3.0, label="b"), Value(2.0, label="c")
    u = b * c
    v = a + u
    J = 3 * v
    u.label, v.label, J.label = "u", "v", "J"

    print("Forward pass: each node's value, inputs first\n")
    print(table(J))  # before backward() the table shows values only: no gradient is known yet

    J.backward()
    print("\nBackward pass: dJ/dx for every node, by the chain rule (dJ/db = ∂J/∂v · ∂v/∂u · ∂u/∂b = 3 · 1 · 2)\n")
    print(table(J, show="backward"))

    print()
    try:
        print(f"wrote {viz.render(J, 'course.svg')} (and course.dot)")
        print(f"wrote {viz.walkthrough(J, 'course.html')}: open it and press Next to step through the backward pass")
    except RuntimeError as e:  # Graphviz missing: the tables above still stand, and course.dot is written
        print(e)


if __name__ == "__main__":
    main()
