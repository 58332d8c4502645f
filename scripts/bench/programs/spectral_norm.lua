-- spectral_norm.lua -- Lua 5.4 twin of spectral_norm.toy.
-- usage: spectral_norm.lua [N]
local function a(i, j)
    -- i and j are 0-based, as in the Python program
    local ij = i + j
    return 1.0 / (ij * (ij + 1) // 2 + i + 1)
end

local function times(v, n)
    local out = {}
    for i = 0, n - 1 do
        local s = 0.0
        for j = 0, n - 1 do
            s = s + a(i, j) * v[j + 1]
        end
        out[i + 1] = s
    end
    return out
end

local function times_transposed(v, n)
    local out = {}
    for i = 0, n - 1 do
        local s = 0.0
        for j = 0, n - 1 do
            s = s + a(j, i) * v[j + 1]
        end
        out[i + 1] = s
    end
    return out
end

local n = tonumber(arg[1]) or 400
local u = {}
for i = 1, n do u[i] = 1.0 end
local v = u
for _ = 1, 10 do
    v = times_transposed(times(u, n), n)
    u = times_transposed(times(v, n), n)
end
local vbv, vv = 0.0, 0.0
for i = 1, n do
    vbv = vbv + u[i] * v[i]
    vv = vv + v[i] * v[i]
end
print(string.format("%.9f", (vbv / vv) ^ 0.5))
