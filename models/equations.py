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
