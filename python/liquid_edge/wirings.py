"""Wirings with ncps's constructors and defaults (ncps.wirings), built by the C library.

A wiring here only records its constructor arguments; the C library generates the same
adjacency matrices ncps 1.0.1 generates from them when the model is created.
"""

from __future__ import annotations


class Wiring:
    """Base class: the constructor arguments of one of ncps's wiring generators."""

    kind: str = ""

    def __init__(self, units: int, output_dim: int) -> None:
        self.units = int(units)
        self.output_dim = int(output_dim)

    def _items(self) -> list[tuple[str, str]]:
        """The (key, value) configuration entries of the C library for this wiring."""
        return [("wiring", self.kind), ("wiring.units", str(self.units))]

    def __repr__(self) -> str:
        args = ", ".join(f"{k.split('.', 1)[1]}={v}" for k, v in self._items()[1:])
        return f"{type(self).__name__}({args})"


class FullyConnected(Wiring):
    """ncps.wirings.FullyConnected(units, output_dim=None, erev_init_seed=1111,
    self_connections=True)."""

    kind = "fc"

    def __init__(
        self,
        units: int,
        output_dim: int | None = None,
        erev_init_seed: int = 1111,
        self_connections: bool = True,
    ) -> None:
        super().__init__(units, units if output_dim is None else output_dim)
        self.erev_init_seed = int(erev_init_seed)
        self.self_connections = bool(self_connections)

    def _items(self) -> list[tuple[str, str]]:
        return super()._items() + [
            ("wiring.output_dim", str(self.output_dim)),
            ("wiring.seed", str(self.erev_init_seed)),
            ("wiring.self_connections", "1" if self.self_connections else "0"),
        ]


class Random(Wiring):
    """ncps.wirings.Random(units, output_dim=None, sparsity_level=0.0, random_seed=1111)."""

    kind = "random"

    def __init__(
        self,
        units: int,
        output_dim: int | None = None,
        sparsity_level: float = 0.0,
        random_seed: int = 1111,
    ) -> None:
        super().__init__(units, units if output_dim is None else output_dim)
        self.sparsity_level = float(sparsity_level)
        self.random_seed = int(random_seed)

    def _items(self) -> list[tuple[str, str]]:
        return super()._items() + [
            ("wiring.output_dim", str(self.output_dim)),
            ("wiring.sparsity", repr(self.sparsity_level)),
            ("wiring.seed", str(self.random_seed)),
        ]


class NCP(Wiring):
    """ncps.wirings.NCP(inter_neurons, command_neurons, motor_neurons, sensory_fanout,
    inter_fanout, recurrent_command_synapses, motor_fanin, seed=22222)."""

    kind = "ncp"

    def __init__(
        self,
        inter_neurons: int,
        command_neurons: int,
        motor_neurons: int,
        sensory_fanout: int,
        inter_fanout: int,
        recurrent_command_synapses: int,
        motor_fanin: int,
        seed: int = 22222,
    ) -> None:
        super().__init__(inter_neurons + command_neurons + motor_neurons, motor_neurons)
        self.inter_neurons = int(inter_neurons)
        self.command_neurons = int(command_neurons)
        self.motor_neurons = int(motor_neurons)
        self.sensory_fanout = int(sensory_fanout)
        self.inter_fanout = int(inter_fanout)
        self.recurrent_command_synapses = int(recurrent_command_synapses)
        self.motor_fanin = int(motor_fanin)
        self.seed = int(seed)

    def _items(self) -> list[tuple[str, str]]:
        return [
            ("wiring", self.kind),
            ("wiring.inter", str(self.inter_neurons)),
            ("wiring.command", str(self.command_neurons)),
            ("wiring.motor", str(self.motor_neurons)),
            ("wiring.sensory_fanout", str(self.sensory_fanout)),
            ("wiring.inter_fanout", str(self.inter_fanout)),
            ("wiring.recurrent_command", str(self.recurrent_command_synapses)),
            ("wiring.motor_fanin", str(self.motor_fanin)),
            ("wiring.seed", str(self.seed)),
        ]


class AutoNCP(Wiring):
    """ncps.wirings.AutoNCP(units, output_size, sparsity_level=0.5, seed=22222)."""

    kind = "autoncp"

    def __init__(
        self, units: int, output_size: int, sparsity_level: float = 0.5, seed: int = 22222
    ) -> None:
        super().__init__(units, output_size)
        self.output_size = int(output_size)
        self.sparsity_level = float(sparsity_level)
        self.seed = int(seed)

    def _items(self) -> list[tuple[str, str]]:
        return super()._items() + [
            ("wiring.output_dim", str(self.output_size)),
            ("wiring.sparsity", repr(self.sparsity_level)),
            ("wiring.seed", str(self.seed)),
        ]
