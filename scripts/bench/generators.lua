-- generators.lua -- Lua 5.4 twin of generators.toy, with coroutines as generators.
local function numbers(n)
    return coroutine.wrap(function()
        local i = 0
        while i < n do
            coroutine.yield(i)
            i = i + 1
        end
    end)
end

local function squares(it)
    return coroutine.wrap(function()
        for x in it do
            coroutine.yield(x * x % 1000)
        end
    end)
end

local function evens(it)
    return coroutine.wrap(function()
        for x in it do
            if x % 2 == 0 then
                coroutine.yield(x)
            end
        end
    end)
end

local function main()
    local total = 0
    for v in evens(squares(numbers(2000000))) do
        total = total + v
    end
    print(total)
end

main()
