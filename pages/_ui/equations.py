"""The equations each layer computes, as LaTeX, keyed by the Keras layer type.

Pages show these next to the pictures of what the layer did, so every picture ties back to
the maths. Notation follows Keras: x_t is the input at step t (for MNIST rows, the 28 pixels
of row t), h_t the hidden state, W/U/b the layer's kernel, recurrent kernel and bias.
"""

CONV2D = [
    r"y_{i,j,k} = \mathrm{ReLU}\Big(b_k + \sum_{u=0}^{2}\sum_{v=0}^{2}\sum_{c} "
    r"w_{u,v,c,k}\; x_{i+u,\,j+v,\,c}\Big)",
    r"p_{i,j,k} = \max_{u,v \in \{0,1\}} \; y_{2i+u,\;2j+v,\;k}",
]
CONV2D_TEXT = (
    "Each filter $k$ is a 3×3 grid of weights slid over the image: where the pixels under it "
    "match its pattern (an edge, a curve end), the sum is large and the map lights up. "
    "Max-pooling then keeps the strongest response in every 2×2 block."
)

RECURRENT = {
    "LSTM": [
        r"i_t = \sigma(W_i x_t + U_i h_{t-1} + b_i)",
        r"f_t = \sigma(W_f x_t + U_f h_{t-1} + b_f)",
        r"\tilde c_t = \tanh(W_c x_t + U_c h_{t-1} + b_c)",
        r"o_t = \sigma(W_o x_t + U_o h_{t-1} + b_o)",
        r"c_t = f_t \odot c_{t-1} + i_t \odot \tilde c_t",
        r"h_t = o_t \odot \tanh(c_t)",
    ],
    "GRU": [
        r"z_t = \sigma(W_z x_t + U_z h_{t-1} + b_z)",
        r"r_t = \sigma(W_r x_t + U_r h_{t-1} + b_r)",
        r"\tilde h_t = \tanh\big(W_h x_t + r_t \odot (U_h h_{t-1}) + b_h\big)",
        r"h_t = z_t \odot h_{t-1} + (1 - z_t) \odot \tilde h_t",
    ],
    "SimpleRNN": [
        r"h_t = \tanh(W x_t + U h_{t-1} + b)",
    ],
}
RECURRENT_TEXT = {
    "LSTM": "The gates are numbers between 0 and 1: the forget gate decides how much of the old "
            "memory $c_{t-1}$ to keep, the input gate how much of the new candidate to write, "
            "the output gate how much of the memory to show as $h_t$.",
    "GRU": "The update gate $z_t$ blends the old state with a new candidate; the reset gate "
           "$r_t$ decides how much of the old state the candidate may look at.",
    "SimpleRNN": "No gates: every step squashes the new row and the old state together, so "
                 "memories of early rows fade quickly.",
}
SOFTMAX_READOUT = r"p_t = \mathrm{softmax}(V h_t + d)"


# -- The LSTM gates page: what each quantity does, and the six equations with live numbers ------

# quantity -> (title, two sentences on what it does). Plain text: shown beside its chart.
LSTM_GATE_TEXT = {
    "i": ("Input gate i_t",
          "How much of the new candidate is written into the memory at this step (0 = nothing, 1 = all of it). "
          "It opens when the current input carries something worth storing."),
    "f": ("Forget gate f_t",
          "How much of the old memory c_t-1 survives this step (1 = keep it all, 0 = wipe it). "
          "Staying near 1 is what lets an LSTM carry information across many steps."),
    "c~": ("Candidate c̃_t",
           "The new content proposed from the current input and the previous hidden state, between -1 and 1. "
           "It only reaches the memory as far as the input gate lets it in."),
    "o": ("Output gate o_t",
          "How much of the memory is shown to the outside as h_t at this step. "
          "The cell can hold something (a large c_t) while showing little of it for now."),
    "c": ("Cell state c_t",
          "The long-term memory: the kept part of the old memory plus the admitted part of the candidate. "
          "It changes by adding, not by being squashed at every step, so it can remember for long."),
    "h": ("Hidden state h_t",
          "What the layer outputs at each step and feeds back into every gate at the next one. "
          "The layer above (or the final dense layer) reads only this, never c_t directly."),
}

_ACTIVATION_TEX = {"sigmoid": r"\sigma", "tanh": r"\tanh", "hard_sigmoid": r"\sigma_{\mathrm{hard}}"}
_SYMBOL = {"i": "i", "f": "f", "c~": r"\tilde c", "o": "o"}
RESULT_COLOUR = "#e4572e"


def _tex_number(value: float, bracket: bool = False) -> str:
    """A number with 3 decimals; in brackets when negative and ``bracket`` (after a ×)."""
    return f"({value:.3f})" if bracket and value < 0 else f"{value:.3f}"


def _tex_sum(terms) -> str:
    """0.123 - 0.456 + 0.050: signs folded into the operators."""
    out = f"{terms[0]:.3f}"
    for v in terms[1:]:
        out += f" - {abs(v):.3f}" if v < 0 else f" + {v:.3f}"
    return out


def _tex_activation(name: str) -> str:
    return _ACTIVATION_TEX.get(name, rf"\mathrm{{{name}}}")


def _tex_result(value: float) -> str:
    return rf"\textcolor{{{RESULT_COLOUR}}}{{\mathbf{{{value:.3f}}}}}"


def _aligned(*rows: str) -> str:
    return r"\begin{aligned}" + r"\\".join(rows) + r"\end{aligned}"


def lstm_step(values: dict, t: int) -> dict[str, str]:
    """The six LSTM equations at time step ``t`` (1-based) for one unit, keyed "i", "f", "c~",
    "o", "c", "h": each the equation, then its numbers (the input's share W x_t, the memory's
    share U h_{t-1} and the bias b), then the result in colour. Short lines, so they fit
    beside a chart.

    ``values`` is :meth:`models.gates.GateTrace.step`'s dict."""
    now, before = f"{{{t}}}", f"{{{t - 1}}}"
    if values.get("skipped"):
        same = _aligned(rf"&\text{{step {t} is padding: skipped}}",
                        rf"c_{now} &= c_{before} = {_tex_result(values['c'])}",
                        rf"h_{now} &= h_{before} = {_tex_result(values['h'])}")
        return {name: same for name in ("i", "f", "c~", "o", "c", "h")}
    sig, act = _tex_activation(values["recurrent_activation"]), _tex_activation(values["activation"])
    out = {}
    for gate in ("i", "f", "c~", "o"):
        v = values[gate]
        g = "c" if gate == "c~" else gate
        fn = act if gate == "c~" else sig
        out[gate] = _aligned(rf"{_SYMBOL[gate]}_{now} &= {fn}\big(W_{g}\, x_{now} + U_{g}\, h_{before} + b_{g}\big)",
                             rf"&= {fn}({_tex_sum([v['wx'], v['uh'], v['b']])})",
                             rf"&= {fn}({_tex_number(v['z'])}) = {_tex_result(v['value'])}")
    i, f, g, o = (values[k]["value"] for k in ("i", "f", "c~", "o"))
    out["c"] = _aligned(rf"c_{now} &= f_{now}\, c_{before} + i_{now}\, \tilde c_{now}",
                        rf"&= {f:.3f} \times {_tex_number(values['c_prev'], True)}",
                        rf"&\quad + {i:.3f} \times {_tex_number(g, True)}",
                        rf"&= {_tex_result(values['c'])}")
    out["h"] = _aligned(rf"h_{now} &= o_{now}\, {act}(c_{now})",
                        rf"&= {o:.3f} \times {act}({_tex_number(values['c'])})",
                        rf"&= {o:.3f} \times {_tex_number(values['tanh_c'], True)} = {_tex_result(values['h'])}")
    return out

# -- Photos: where a CNN looked (Grad-CAM) -------------------------------------------------------

GRADCAM = [
    r"\alpha_k = \frac{1}{H W}\sum_{i,j} \frac{\partial y_c}{\partial A^k_{ij}}",
    r"\mathrm{heatmap}_{ij} = \mathrm{ReLU}\Big(\sum_k \alpha_k\, A^k_{ij}\Big)",
]
GRADCAM_TEXT = (
    "**Grad-CAM** asks, for each feature map $A^k$ of the last layer that still keeps a picture, how much "
    "the score $y_c$ of the chosen class would grow if that map grew ($\\alpha_k$, the average gradient), "
    "then adds the maps up with those weights: where the helpful maps fire is where the network looked."
)

# -- Writing: temperature and sentiment strength -------------------------------------------------

TEMPERATURE = r"p_i = \mathrm{softmax}\!\left(\frac{z}{T}\right)_i = \frac{e^{z_i / T}}{\sum_j e^{z_j / T}}"
GUIDANCE = r"z = z_{\text{asked}} + g\,\big(z_{\text{asked}} - z_{\text{other}}\big)"
TEMPERATURE_TEXT = (
    "The LSTM gives every possible next character a score $z_i$. Dividing by the **temperature** $T$ before "
    "the softmax sharpens ($T<1$: the favourite wins more often) or flattens ($T>1$: surprises) the guess. "
    "The **sentiment strength** $g$ pushes the scores away from what the model would write for the other "
    "sentiment."
)
