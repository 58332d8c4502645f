-- nqueens.lua -- Lua 5.4 twin of nqueens.toy: a recursive coroutine for the
-- generator, tables of booleans for the sets.
-- usage: nqueens.lua [N]
local function place(n, row, cols, diag1, diag2, queens)
    if row == n then
        coroutine.yield(table.move(queens, 1, #queens, 1, {}))
        return
    end
    for c = 0, n - 1 do
        if not (cols[c] or diag1[row + c] or diag2[row - c]) then
            cols[c] = true
            diag1[row + c] = true
            diag2[row - c] = true
            queens[#queens + 1] = c
            place(n, row + 1, cols, diag1, diag2, queens)
            queens[#queens] = nil
            cols[c] = nil
            diag1[row + c] = nil
            diag2[row - c] = nil
        end
    end
end

local n = tonumber(arg[1]) or 12
local count, checksum = 0, 0
for q in coroutine.wrap(function() place(n, 0, {}, {}, {}, {}) end) do
    count = count + 1
    local v = 0
    for _, c in ipairs(q) do
        v = v * n + c
    end
    checksum = (checksum * 31 + v) % 4294967296
end
print(string.format("%d queens: %d solutions, checksum %d", n, count, checksum))
