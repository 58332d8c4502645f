-- fannkuch.lua -- Lua 5.4 twin of fannkuch.toy.
-- usage: fannkuch.lua [N]
local function fannkuch(n)
    local perm, count = {}, {}
    for i = 1, n do perm[i] = i - 1; count[i] = 0 end
    local max_flips, checksum, sign = 0, 0, 1
    while true do
        local first = perm[1]
        if first ~= 0 then
            local p = table.move(perm, 1, n, 1, {})
            local flips = 0
            while first ~= 0 do
                -- reverse p[1 .. first + 1]
                local lo, hi = 1, first + 1
                while lo < hi do
                    p[lo], p[hi] = p[hi], p[lo]
                    lo = lo + 1; hi = hi - 1
                end
                flips = flips + 1
                first = p[1]
            end
            if flips > max_flips then max_flips = flips end
            checksum = checksum + sign * flips
        end
        sign = -sign
        local i = 1
        while true do
            if i == n then return checksum, max_flips end
            -- rotate perm[1 .. i + 1] left by one
            local x = table.remove(perm, 1)
            table.insert(perm, i + 1, x)
            count[i + 1] = count[i + 1] + 1
            if count[i + 1] <= i then break end
            count[i + 1] = 0
            i = i + 1
        end
    end
end

local n = tonumber(arg[1]) or 9
local checksum, flips = fannkuch(n)
print(string.format("%d", checksum))
print(string.format("Pfannkuchen(%d) = %d", n, flips))
