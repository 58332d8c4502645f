-- sets.lua -- Lua 5.4 twin of sets.toy (tables with `true` values as sets).
local function count(t)
    local c = 0
    for _ in pairs(t) do c = c + 1 end
    return c
end

local function main()
    local n = 200000
    local total = 0
    for r = 0, 2 do
        local a = {}
        for i = 0, n - 1 do
            a[i * 3] = true
        end
        local b = {}
        for i = 0, n - 1 do
            b[i * 5 + r] = true
        end
        local u, x, d = {}, {}, {}
        for k in pairs(a) do u[k] = true end
        for k in pairs(b) do u[k] = true end
        for k in pairs(a) do
            if b[k] then x[k] = true else d[k] = true end
        end
        local hits = 0
        for i = 0, 2 * n - 1 do
            if a[i] then hits = hits + 1 end
            if x[i] then hits = hits + 1 end
        end
        total = total + count(u) + count(x) + count(d) + hits
    end
    print(string.format("%d", total))
end

main()
